import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

describe('an account in the browser', () => {
  it('signs up, creates an API key on the account page, and the key works from a script', async () => {
    const { page, errors } = await stack.openPage(`${stack.web.url}/signup`);
    const email = `ada-${randomUUID()}@example.com`;

    // The API's field errors appear next to the fields.
    await page.getByLabel('Your name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    const passwordError = page.locator('[data-error-for="password"]');
    await passwordError.filter({ hasText: /10 characters/ }).waitFor();
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Password').fill('a long enough passphrase');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.waitForURL(`${stack.web.url}/account`);
    await page.locator('.user-menu[data-state="signed-in"]').waitFor();
    expect(await page.locator('[data-user-name]').textContent()).toBe('Ada Lovelace');
    // Nothing overflows the 360 px screen, not even the key table.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);

    await page.getByLabel('Key name').fill('nightly import');
    await page.getByLabel('write').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret =
      (await page.locator('#secret-value').filter({ hasText: 'cr_live_' }).textContent()) ?? '';
    expect(secret).toMatch(/^cr_live_/);
    await page.locator('#keys tbody tr', { hasText: 'nightly import' }).waitFor();
    expect(await page.locator('#keys tbody tr').textContent()).toContain('read, write');

    const me = await fetch(`${stack.api.url}/v1/me`, {
      headers: { Authorization: `Bearer ${secret}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ email, authenticated_via: 'api_key' });

    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Revoke key nightly import' }).click();
    await page.locator('#no-keys:not([hidden])').waitFor();
    const revoked = await fetch(`${stack.api.url}/v1/me`, {
      headers: { Authorization: `Bearer ${secret}` },
    });
    expect(revoked.status).toBe(401);

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${stack.web.url}/`);
    await page
      .locator('.user-menu[data-state="anonymous"] .signed-out a', { hasText: 'Log in' })
      .waitFor();
    // The one failed request is the deliberately short password.
    expect(errors.filter((e) => !e.includes('status of 422'))).toEqual([]);
    await page.close();
  });

  it('logs in with the right password only, saying so next to the form', async () => {
    const email = `grace-${randomUUID()}@example.com`;
    const signup = await fetch(`${stack.api.url}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: 'grace hopper 1906', display_name: 'Grace' }),
    });
    expect(signup.status).toBe(201);

    const { page } = await stack.openPage(`${stack.web.url}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-form-error]', { hasText: 'wrong' }).waitFor();

    await page.getByLabel('Password').fill('grace hopper 1906');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${stack.web.url}/account`);
    await page.locator('[data-me="email"]', { hasText: email }).waitFor();
    await page.close();
  });

  it('the account page says how to log in when nobody is', async () => {
    const { page } = await stack.openPage(`${stack.web.url}/account`);
    await page.locator('#account-status', { hasText: 'not logged in' }).waitFor();
    await page.close();
  });
});
