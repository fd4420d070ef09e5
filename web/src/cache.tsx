import { useEffect, useState } from 'react';
import { all, call, type S } from './api';

/** Records looked up by id for names in lists, once per session (forget() after an edit). */
const cache = new Map<string, Promise<unknown>>();
const load = <T,>(key: string, run: () => Promise<T>): Promise<T> => {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = run();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
};

export const getCandidate = (id: string) => load(`c:${id}`, () => call((c) => c.GET('/v1/candidates/{id}', { params: { path: { id } } })));
export const getPosition = (id: string) => load(`p:${id}`, () => call((c) => c.GET('/v1/positions/{id}', { params: { path: { id } } })));
export const getEmployer = (id: string) => load(`e:${id}`, () => call((c) => c.GET('/v1/employers/{id}', { params: { path: { id } } })));
export const getContact = (id: string) => load(`k:${id}`, () => call((c) => c.GET('/v1/contacts/{id}', { params: { path: { id } } })));
export const forget = (id: string) => {
  ['c', 'p', 'e', 'k'].forEach((k) => cache.delete(`${k}:${id}`));
  forgetLists();
};

/** Records a list brought anyway, kept for lookups by id: a name already loaded costs no call. */
export function prime(kind: 'candidate' | 'position' | 'employer' | 'contact', records: { id: string }[]) {
  const k = { candidate: 'c', position: 'p', employer: 'e', contact: 'k' }[kind];
  for (const r of records) if (!cache.has(`${k}:${r.id}`)) cache.set(`${k}:${r.id}`, Promise.resolve(r));
}

/**
 * The agency's employers and users (every page, at most 500), once per session: the filters of
 * lists and their names. forgetLists() after adding or changing one.
 */
export const listEmployers = () =>
  load('list:employers', async () => {
    const rows = await all((cursor) => call((c) => c.GET('/v1/employers', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })), 500);
    prime('employer', rows);
    return rows;
  });
export const listUsers = (): Promise<S['User'][]> =>
  load('list:users', () => all((cursor) => call((c) => c.GET('/v1/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })), 500));
export function forgetLists() {
  cache.delete('list:employers');
  cache.delete('list:users');
}

function useRecord<T>(get: (id: string) => Promise<T>, id: string | null | undefined): T | undefined {
  const [v, setV] = useState<T>();
  useEffect(() => {
    let live = true;
    setV(undefined);
    if (id) get(id).then((x) => live && setV(x), () => undefined);
    return () => {
      live = false;
    };
  }, [get, id]);
  return v;
}

/** A name that loads: a fixed-width placeholder meanwhile, so the row does not jump. */
export function NameOf({ kind, id }: { kind: 'candidate' | 'position' | 'employer'; id: string }) {
  const get = kind === 'candidate' ? getCandidate : kind === 'position' ? getPosition : getEmployer;
  const r = useRecord<{ name?: string; title?: string }>(get as (id: string) => Promise<{ name?: string; title?: string }>, id);
  return r ? <>{r.name ?? r.title}</> : <span className="name-placeholder" aria-hidden="true" />;
}
