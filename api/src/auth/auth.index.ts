import { createRouter } from '../lib/router.ts';
import {
  getMeHandler,
  loginHandler,
  logoutHandler,
  signupHandler,
  updateMeHandler,
} from './auth.handlers.ts';
import { getMe, login, logout, signup, updateMe } from './auth.routes.ts';

export const authRouter = createRouter()
  .openapi(signup, signupHandler)
  .openapi(login, loginHandler)
  .openapi(logout, logoutHandler)
  .openapi(getMe, getMeHandler)
  .openapi(updateMe, updateMeHandler);
