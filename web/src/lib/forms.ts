import type { components } from '@chartroom/client';

type Problem = components['schemas']['Problem'];

/** The form's fields by name, for reading values without repeating selectors. */
export function field(form: HTMLFormElement, name: string): HTMLInputElement {
  const element = form.elements.namedItem(name);
  if (!(element instanceof HTMLInputElement)) throw new Error(`no input named ${name}`);
  return element;
}

export function clearErrors(form: HTMLFormElement): void {
  for (const message of form.querySelectorAll<HTMLElement>('[data-error-for]')) {
    message.textContent = '';
  }
  for (const input of form.querySelectorAll('[aria-invalid]'))
    input.removeAttribute('aria-invalid');
  const summary = form.querySelector<HTMLElement>('[data-form-error]');
  if (summary) summary.textContent = '';
}

/**
 * Puts the API's problem on the form: each `errors` item next to the field its `loc` names
 * (`["body", "email"]` → the email field), anything else in the form's summary line.
 */
export function showProblem(
  form: HTMLFormElement,
  problem: Problem | undefined,
  /** The field a `loc` names, for forms whose fields are not named as the body's members. */
  fieldFor?: (loc: (string | number)[]) => string,
): void {
  clearErrors(form);
  const summary = form.querySelector<HTMLElement>('[data-form-error]');
  const unplaced: string[] = [];
  for (const item of problem?.errors ?? []) {
    const name = fieldFor
      ? fieldFor(item.loc)
      : item.loc[0] === 'body'
        ? String(item.loc[1] ?? '')
        : '';
    const message = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`);
    if (message && name) {
      message.textContent = item.msg.charAt(0).toUpperCase() + item.msg.slice(1);
      form.elements.namedItem(name) instanceof HTMLElement &&
        (form.elements.namedItem(name) as HTMLElement).setAttribute('aria-invalid', 'true');
    } else {
      unplaced.push(item.msg);
    }
  }
  if (summary && (!problem?.errors?.length || unplaced.length)) {
    summary.textContent = problem
      ? problem.errors?.length
        ? unplaced.join(' ')
        : problem.detail
      : 'The API could not be reached. Check your connection and try again.';
  }
  form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}

/** Disables the submit button while a request is in flight, so a double click sends one. */
export async function submitting<T>(form: HTMLFormElement, work: () => Promise<T>): Promise<T> {
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (button) button.disabled = true;
  try {
    return await work();
  } finally {
    if (button) button.disabled = false;
  }
}

type ApiResult = { response?: Response; error?: Problem };

/**
 * Wires a form to one API call: on success runs `onSuccess`, otherwise shows the API's problem
 * on the form (or says the API is unreachable when the request itself failed).
 */
export function onSubmit(
  form: HTMLFormElement,
  send: () => Promise<ApiResult>,
  onSuccess: () => void,
): void {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await submitting(form, async () => {
      const { response, error } = await send().catch((): ApiResult => ({}));
      if (response?.ok) onSuccess();
      else showProblem(form, error);
    });
  });
}
