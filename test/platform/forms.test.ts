import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseForm, readForm } from '../../src/platform/forms.js';
import { NotFoundError, UserError } from '../../src/platform/errors.js';

const signUp = z.object({
  email: z.string().trim().email('Enter a valid email address.'),
  age: z.coerce.number().int('Give your age in whole years.').min(13, 'You must be 13 or older.'),
  tags: z.array(z.string('Tags are words.')).optional(),
});

describe('parseForm', () => {
  it('gives the data of a good form', () => {
    expect(parseForm(signUp, { email: ' a@b.co ', age: '40' })).toEqual({ ok: true, data: { email: 'a@b.co', age: 40 } });
  });

  it('gives the first problem of each field, and the first of all, in the schema’s words', () => {
    const form = parseForm(signUp, { email: 'nope', age: '3', tags: ['x', 4] });
    expect(form).toEqual({
      ok: false,
      errors: { email: 'Enter a valid email address.', age: 'You must be 13 or older.', 'tags.1': 'Tags are words.' },
      first: 'Enter a valid email address.',
    });
  });

  it('reads a missing body as an empty form, and names a problem with the whole form "form"', () => {
    const form = parseForm(z.object({ a: z.string('Say a.') }), undefined);
    expect(form).toMatchObject({ ok: false, first: 'Say a.' });
    expect(parseForm(z.object({}, { error: 'Not a form.' }), 'text')).toMatchObject({ ok: false, errors: { form: 'Not a form.' } });
  });
});

describe('readForm', () => {
  it('returns the data, or refuses with a 400 UserError carrying the first problem', () => {
    expect(readForm(signUp, { email: 'a@b.co', age: 20 })).toEqual({ email: 'a@b.co', age: 20 });
    expect(() => readForm(signUp, { email: 'a@b.co', age: 1 })).toThrowError(expect.objectContaining({ statusCode: 400, message: 'You must be 13 or older.' }));
    expect(() => readForm(signUp, {})).toThrowError(UserError);
  });

  it('refuses with the error the route chooses (a 404 for an id that cannot be one)', () => {
    expect(() => readForm(z.object({ id: z.uuid() }), { id: 'x' }, () => new NotFoundError())).toThrowError(NotFoundError);
  });
});
