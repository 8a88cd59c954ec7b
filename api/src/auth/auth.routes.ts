import { createRoute, z } from '@hono/zod-openapi';
import { problemResponses } from '../lib/problem.ts';
import { loginRateLimit } from '../lib/rate-limit.ts';
import { cleanText, IdSchema, TimestampSchema } from '../lib/schemas.ts';
import { SCOPES } from './auth-context.ts';
import { secured } from './secured.ts';

export const PASSWORD_MIN_LENGTH = 10;

const EmailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ pattern: z.regexes.unicodeEmail, error: 'must be an email address' }))
  .transform((email) => email.toLowerCase())
  .openapi({ example: 'ada@example.com', format: 'idn-email' });

// Passwords are used exactly as typed (no trimming); the cap keeps hashing cost bounded.
const NewPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `must be at least ${PASSWORD_MIN_LENGTH} characters` })
  .max(1024)
  .refine(
    (value) => new Set(value).size >= 4,
    'is too easy to guess: use more different characters',
  )
  .openapi({ example: 'correct horse battery staple' });

const PasswordSchema = z
  .string()
  .min(1)
  .max(1024)
  .openapi({ example: 'correct horse battery staple' });

export const UserSchema = z
  .object({
    id: IdSchema,
    email: z.string().openapi({ format: 'idn-email', example: 'ada@example.com' }),
    display_name: z.string().openapi({ example: 'Ada Lovelace' }),
    created_at: TimestampSchema,
  })
  .openapi('User');

export const MeSchema = UserSchema.extend({
  authenticated_via: z.enum(['session', 'api_key']).describe('How this request was authenticated.'),
  scopes: z.array(z.enum(SCOPES)).describe('What this request may do.'),
}).openapi('Me');

const SignupSchema = z
  .object({
    email: EmailSchema,
    password: NewPasswordSchema,
    display_name: cleanText({ max: 100 }).openapi({ example: 'Ada Lovelace' }),
  })
  .openapi('Signup');

const LoginSchema = z.object({ email: EmailSchema, password: PasswordSchema }).openapi('Login');

const UpdateMeSchema = z
  .object({
    display_name: cleanText({ max: 100 }).optional(),
    password: NewPasswordSchema.optional().describe(
      'A new password; ends every other session and revokes every API key.',
    ),
    current_password: PasswordSchema.optional().describe('Required to set a new password.'),
  })
  .refine((body) => !body.password || body.current_password, {
    path: ['current_password'],
    error: 'Field required to change the password',
  })
  .openapi('UpdateMe');

const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const userResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: UserSchema } },
  headers: {
    'Set-Cookie': {
      description: 'The session cookie (`HttpOnly`, `SameSite=Lax`).',
      schema: { type: 'string' as const },
    },
  },
});

export const signup = createRoute({
  method: 'post',
  path: '/v1/auth/signup',
  operationId: 'signup',
  security: [],
  tags: ['Accounts'],
  summary: 'Create an account and log in',
  description: `Creates an account and starts a session (sets the session cookie). Emails are unique whatever their case; passwords need at least ${PASSWORD_MIN_LENGTH} characters.`,
  middleware: [loginRateLimit],
  request: { body: jsonBody(SignupSchema) },
  responses: {
    201: userResponse('The account was created and the session started.'),
    // 401: an Authorization header with no valid API key is refused on every /v1 operation.
    ...problemResponses(401, 403, 409, 413, 415, 422, 429),
  },
});

export const login = createRoute({
  method: 'post',
  path: '/v1/auth/login',
  operationId: 'login',
  security: [],
  tags: ['Accounts'],
  summary: 'Log in with email and password',
  description:
    'Starts a session (sets the session cookie); an account keeps its 10 newest sessions. A wrong email and a wrong password get the same answer, in the same time. Attempts are limited per address and, for wrong passwords, per account (429 with `Retry-After`).',
  middleware: [loginRateLimit],
  request: { body: jsonBody(LoginSchema) },
  responses: {
    200: userResponse('Logged in.'),
    ...problemResponses(401, 403, 413, 415, 422, 429),
  },
});

export const logout = createRoute({
  method: 'post',
  path: '/v1/auth/logout',
  operationId: 'logout',
  security: [],
  tags: ['Accounts'],
  summary: 'Log out',
  description: 'Ends the current session and clears its cookie. Answers 204 even without one.',
  responses: {
    204: { description: 'Logged out.' },
    ...problemResponses(401, 403),
  },
});

export const getMe = createRoute(
  secured({
    method: 'get',
    path: '/v1/me',
    operationId: 'getMe',
    tags: ['Accounts'],
    summary: 'Who am I',
    description: 'The account behind this session or API key, and what the request may do.',
    responses: {
      200: { description: 'The caller.', content: { 'application/json': { schema: MeSchema } } },
    },
  }),
);

export const updateMe = createRoute(
  secured(
    {
      method: 'patch',
      path: '/v1/me',
      operationId: 'updateMe',
      tags: ['Accounts'],
      summary: 'Change display name or password',
      description:
        'A new password needs the current one (checks are limited like log-in), ends every session of the account (this one continues with a fresh cookie) and revokes every API key of the account.',
      request: { body: jsonBody(UpdateMeSchema) },
      responses: {
        200: { description: 'Updated.', content: { 'application/json': { schema: MeSchema } } },
        ...problemResponses(413, 415, 422),
      },
    },
    { sessionOnly: true },
  ),
);
