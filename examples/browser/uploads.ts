// The example's stand-in for a server: what the note uploads "send" lands in an IndexedDB database of its
// own, with where the upload ran. The tab and the service worker both write here (no React, no window),
// and the page lists it, so work finished while every tab was closed is still visible when one opens.
import { openDB } from 'idb';

/** Which context ran a task: a tab of the app, or its service worker (woken with every tab closed). */
export type RanIn = 'tab' | 'service worker';

export interface UploadedNote {
  taskId: string;
  title: string;
  bytes: number;
  uploadedAt: number;
  ranIn: RanIn;
}

/** Decided where the code runs: a service worker has no `window`. */
export const ranIn = (): RanIn => (typeof window === 'undefined' ? 'service worker' : 'tab');

const SERVER = 'errand-example-server';
const open = () => openDB(SERVER, 1, { upgrade: (db) => void db.createObjectStore('notes', { keyPath: 'taskId' }) });

export async function saveUpload(note: UploadedNote): Promise<void> {
  const db = await open();
  try {
    await db.put('notes', note);
  } finally {
    db.close();
  }
}

/** Every uploaded note, newest first. */
export async function listUploads(): Promise<UploadedNote[]> {
  const db = await open();
  try {
    const notes = (await db.getAll('notes')) as UploadedNote[];
    return notes.sort((a, b) => b.uploadedAt - a.uploadedAt);
  } finally {
    db.close();
  }
}
