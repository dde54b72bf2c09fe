import { describe, expect, expectTypeOf, it } from 'vitest';
import { SCOPE_RESOURCES, type Scope, type ScopeInput } from '../src/index.js';
import { DEFAULT_SCOPE, isScope, missingScopes, normalizeScope, parseGrantedScope, serializeScope } from '../src/scope.js';

describe('scope', () => {
  it('accepts a space-separated string and returns the scopes in a stable order', () => {
    expect(normalizeScope('objective:write userprofile:read objective:read')).toEqual([
      'userprofile:read',
      'objective:read',
      'objective:write',
    ]);
  });

  it('accepts an array and drops duplicates', () => {
    expect(normalizeScope(['feedback:read', 'feedback:read', 'review:write'])).toEqual(['feedback:read', 'review:write']);
  });

  it('accepts an object of resources and access levels', () => {
    expect(normalizeScope({ objective: ['read', 'write'], userprofile: 'read' })).toEqual([
      'userprofile:read',
      'objective:read',
      'objective:write',
    ]);
  });

  it('serialises the same request to the same string whatever the input order', () => {
    const a = serializeScope(normalizeScope(['objective:read', 'userprofile:read']));
    const b = serializeScope(normalizeScope({ userprofile: 'read', objective: 'read' }));
    expect(a).toBe('userprofile:read objective:read');
    expect(b).toBe(a);
  });

  it('accepts all on its own', () => {
    expect(normalizeScope('all')).toEqual(['all']);
  });

  it('refuses an unknown resource, naming it and listing the valid ones', () => {
    expect(() => normalizeScope('objectives:read')).toThrow(TypeError);
    expect(() => normalizeScope('objectives:read')).toThrow(
      /unknown scope "objectives:read".*one of userprofile, network, department, recognition, oneonone, feedback, privatenote, objective, review/,
    );
  });

  it('refuses a resource without its :read or :write suffix', () => {
    expect(() => normalizeScope('userprofile')).toThrow('scope "userprofile" needs a :read or :write suffix');
  });

  it('refuses an access level other than read or write', () => {
    expect(() => normalizeScope('objective:admin')).toThrow('has access "admin", which is not read or write');
    expect(() => normalizeScope({ objective: 'delete' } as unknown as ScopeInput)).toThrow(
      'resource "objective" has access "delete"; use "read", "write" or both',
    );
  });

  it('refuses all mixed with other scopes', () => {
    expect(() => normalizeScope('all objective:read')).toThrow('"all" already grants every scope and cannot be combined with objective:read');
  });

  it('refuses an empty scope and values of the wrong type', () => {
    expect(() => normalizeScope('  ')).toThrow('scope is empty');
    expect(() => normalizeScope([])).toThrow('scope is empty');
    expect(() => normalizeScope(42)).toThrow('scope must be a string, an array of strings or an object');
    expect(() => normalizeScope([1])).toThrow('every scope in the array must be a string, got number');
  });

  it('names the option in its messages', () => {
    expect(() => normalizeScope('bad', 'Strategy option "scope"')).toThrow(/^Strategy option "scope": unknown scope "bad"/);
  });

  it('knows the nine resources 7Geese documents', () => {
    expect(SCOPE_RESOURCES).toHaveLength(9);
  });

  it('reports requested scopes that were not granted, with all covering everything', () => {
    expect(missingScopes(['userprofile:read', 'objective:read'], ['userprofile:read'])).toEqual(['objective:read']);
    expect(missingScopes(['userprofile:read', 'objective:read'], ['all'])).toEqual([]);
    expect(missingScopes(['all'], ['userprofile:read'])).toEqual(['all']);
  });

  it('gives the whole rule in each refusal', () => {
    expect(() => normalizeScope('objective:read:extra')).toThrow(
      new TypeError(
        'scope: unknown scope "objective:read:extra". A 7Geese scope is "all" or RESOURCE:read / RESOURCE:write, where RESOURCE is one of userprofile, network, department, recognition, oneonone, feedback, privatenote, objective, review.',
      ),
    );
    expect(() => normalizeScope(':read')).toThrow('scope: unknown scope ":read".');
    expect(() => normalizeScope(null)).toThrow(new TypeError("scope must be a string, an array of strings or an object such as { objective: ['read'] }, got null."));
    expect(() => normalizeScope(undefined)).toThrow('got undefined.');
    expect(() => normalizeScope('', 'X')).toThrow(new TypeError('X is empty. Ask for at least one scope, for example "userprofile:read".'));
    expect(() => normalizeScope({ objective: ['read', 'own'] } as unknown as ScopeInput)).toThrow('resource "objective" has access "own"');
    expect(() => normalizeScope({ objectives: 'read' } as unknown as ScopeInput)).toThrow('unknown scope "objectives:read"');
  });

  it('splits on any whitespace, also inside array items, and lists every scope combined with all', () => {
    expect(normalizeScope('review:read\tfeedback:read\n network:read ')).toEqual(['network:read', 'feedback:read', 'review:read']);
    expect(normalizeScope(['review:read feedback:read'])).toEqual(['feedback:read', 'review:read']);
    expect(() => normalizeScope(['all', 'objective:read', 'userprofile:read'])).toThrow(
      new TypeError('scope: "all" already grants every scope and cannot be combined with objective:read userprofile:read. Ask for "all" alone or list the scopes you need.'),
    );
    expect(normalizeScope(['all', 'all'])).toEqual(['all']);
  });

  it('tells known scopes from others, and reads a granted scope field', () => {
    expect(isScope('objective:write')).toBe(true);
    expect(isScope('all')).toBe(true);
    expect(isScope('objective')).toBe(false);
    expect(parseGrantedScope(' userprofile:read  new:thing\tall ')).toEqual(['userprofile:read', 'new:thing', 'all']);
    expect(parseGrantedScope(['userprofile:read'])).toEqual([]);
    expect(parseGrantedScope('')).toEqual([]);
    expect(DEFAULT_SCOPE).toEqual(['userprofile:read']);
  });

  it('types reject a misspelt scope at compile time', () => {
    expectTypeOf<'objective:read'>().toExtend<Scope>();
    expectTypeOf<'all'>().toExtend<Scope>();
    expectTypeOf<'objectives:read'>().not.toExtend<Scope>();
    expectTypeOf<'objective'>().not.toExtend<Scope>();
    // @ts-expect-error: 'objectives' is not a 7Geese resource
    const bad: Scope = 'objectives:read';
    // @ts-expect-error: the object form only takes known resources
    const badObject: ScopeInput = { objectives: 'read' };
    // @ts-expect-error: an array holds only known scopes
    const badArray: ScopeInput = ['objective:read', 'objectives:read'];
    expect([bad, badObject, badArray]).toBeDefined();
  });
});
