/**
 * Writing files a user pointed svclab at (`run --out`, `compare --out`, `schema --out`, `new --out`)
 * without ever losing something of theirs:
 * - nothing is written through a symbolic link: files are created with O_EXCL|O_NOFOLLOW under a
 *   temporary name in the same folder and renamed into place (a rename replaces a link, never its target);
 * - an existing file is replaced only when it is recognisably svclab's: listed in the folder's
 *   marker file (MARKER, written by svclab) or carrying svclab's signature (REPORT_SIGNATURES);
 * - every conflict (a file where a folder should be, a link, a special or unwritable path) is a
 *   UsageError found by `prepareReportDir` before any scenario runs.
 */
import { constants } from 'node:fs';
import { link, lstat, mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';

/** The marker file svclab keeps in a report folder: the names of the files it wrote there, one a line. */
export const MARKER = '.svclab-reports';

/** Text near the start of a report file that only svclab writes (reports from before the marker existed). */
const REPORT_SIGNATURES: Record<string, RegExp> = {
  'junit.xml': /^<\?xml[^>]*>\s*(?:<!--[^]*?-->\s*)?<testsuites name="svclab"/,
  'index.html': /<meta name="generator" content="svclab">/,
};

const SNIFF_BYTES = 2048;

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function reason(err: unknown): string {
  const code = errnoOf(err);
  const known: Record<string, string> = {
    ENOTDIR: 'a part of the path is a file, not a folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOENT: 'the folder cannot be created there',
    ENOSPC: 'no space left on the device',
    ELOOP: 'too many symbolic links',
    ENAMETOOLONG: 'the path is too long',
  };
  return (code !== undefined ? known[code] : undefined) ?? (err instanceof Error ? err.message : String(err));
}

/** What is at `p` without following a link there: 'missing', 'dir', 'file', 'link' or 'other'. */
async function kindOf(p: string): Promise<'missing' | 'dir' | 'file' | 'link' | 'other'> {
  try {
    const st = await lstat(p);
    if (st.isSymbolicLink()) return 'link';
    if (st.isDirectory()) return 'dir';
    if (st.isFile()) return 'file';
    return 'other';
  } catch (err) {
    // ENOTDIR: a parent is a file; the caller walking up the path names that file.
    if (errnoOf(err) === 'ENOENT' || errnoOf(err) === 'ENOTDIR') return 'missing';
    throw new UsageError(`${p}: cannot be used: ${reason(err)}`);
  }
}

/**
 * Makes folder `dir` (and missing parents) one level at a time, so a path under a file or on a
 * file system that refuses (/proc) is an error at once instead of a retry loop. `what` names the
 * option in messages ("--out").
 */
export async function makeFolder(dir: string, what: string, shown = dir): Promise<void> {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    const kind = await kindOf(p);
    if (kind === 'dir') break;
    // A link to a folder the user named (reports -> /mnt/big/reports, /tmp -> /private/tmp) is
    // their layout; a dangling link or one to something else is not a folder to write in.
    if (kind === 'link') {
      if (await isFolderBehindLink(p)) break;
      throw new UsageError(`${what} ${shown}: ${p} is a symbolic link that does not lead to a folder`);
    }
    if (kind === 'file') throw new UsageError(`${what} ${shown}: ${p} is a file, not a folder`);
    if (kind === 'other') throw new UsageError(`${what} ${shown}: ${p} is not a regular folder`);
    missing.push(p);
    const parent = path.dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const m of missing.reverse()) {
    try {
      await mkdir(m);
    } catch (err) {
      if (errnoOf(err) === 'EEXIST' && (await kindOf(m)) === 'dir') continue;
      throw new UsageError(`${what} ${shown}: cannot create ${m}: ${reason(err)}`);
    }
  }
}

async function isFolderBehindLink(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

async function readMarker(dir: string): Promise<Set<string>> {
  const p = path.join(dir, MARKER);
  if ((await kindOf(p)) !== 'file') return new Set();
  return new Set((await readNoFollow(p, 64 * 1024)).split('\n').filter((l) => l !== ''));
}

/** Up to `max` bytes of regular file `p`, opened without following a link. */
async function readNoFollow(p: string, max: number): Promise<string> {
  const fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await fh.stat()).isFile()) return '';
    const buf = Buffer.alloc(max);
    const { bytesRead } = await fh.read(buf, 0, max, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Whether existing regular file `name` in `dir` is svclab's to replace. */
async function isOurs(dir: string, name: string, marker: Set<string>): Promise<boolean> {
  if (marker.has(name)) return true;
  const signature = REPORT_SIGNATURES[name];
  return signature !== undefined && signature.test(await readNoFollow(path.join(dir, name), SNIFF_BYTES));
}

/** Why svclab may not write `name` into `dir`, or undefined when it may. */
async function conflict(dir: string, name: string, marker: Set<string>): Promise<string | undefined> {
  const p = path.join(dir, name);
  switch (await kindOf(p)) {
    case 'missing':
      return undefined;
    case 'link':
      return `${p} is a symbolic link; svclab does not write through links (remove it or choose another --out)`;
    case 'file':
      return (await isOurs(dir, name, marker)) ? undefined : `${p} exists and was not written by svclab; not replacing it (move it away or choose another --out)`;
    default:
      return `${p} exists and is not a regular file (remove it or choose another --out)`;
  }
}

/**
 * Checks, before anything runs, that report files `names` can go into folder `dir`: creates the
 * folder, refuses links and files svclab did not write, and proves the folder writable.
 */
export async function prepareReportDir(dir: string, names: readonly string[], what = '--out'): Promise<void> {
  await makeFolder(dir, what);
  const marker = await readMarker(dir);
  const problems: string[] = [];
  for (const name of [...names, MARKER]) {
    const problem = name === MARKER ? await markerConflict(dir) : await conflict(dir, name, marker);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) throw new UsageError(`svclab: cannot write reports to ${what} ${dir}:\n  ${problems.join('\n  ')}`);
  // Writable? Create and remove a probe the way the reports will be written.
  const probe = tempName(dir, 'probe');
  try {
    const fh = await open(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    await fh.close();
    await unlink(probe);
  } catch (err) {
    throw new UsageError(`svclab: cannot write reports to ${what} ${dir}: ${reason(err)}`);
  }
}

async function markerConflict(dir: string): Promise<string | undefined> {
  const kind = await kindOf(path.join(dir, MARKER));
  return kind === 'missing' || kind === 'file' ? undefined : `${path.join(dir, MARKER)} is not a regular file`;
}

function tempName(dir: string, name: string): string {
  return path.join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.svclab-tmp`);
}

/** Writes `text` to a new file under a temporary name in `dir` (never through a link); returns that name. */
async function writeTemp(dir: string, name: string, text: string): Promise<string> {
  const tmp = tempName(dir, name);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    await fh.writeFile(text);
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  return tmp;
}

/**
 * Writes report `name` into `dir` (prepared with prepareReportDir): checked again just before,
 * then written to a temporary file and renamed over the old report. Returns the path written.
 */
export async function writeReportFile(dir: string, name: string, text: string, what = '--out'): Promise<string> {
  const marker = await readMarker(dir);
  const problem = await conflict(dir, name, marker);
  if (problem !== undefined) throw new UsageError(`svclab: not writing the report: ${problem}`);
  if ((await markerConflict(dir)) !== undefined) throw new UsageError(`svclab: not writing reports to ${what} ${dir}: ${MARKER} is not a regular file`);
  if (!marker.has(name)) {
    marker.add(name);
    await rename(await writeTemp(dir, MARKER, [...marker].sort().join('\n') + '\n'), path.join(dir, MARKER));
  }
  const target = path.join(dir, name);
  await rename(await writeTemp(dir, name, text), target);
  return target;
}

/** Removes report `name` from `dir` if svclab wrote it there (a stale report), never a user's file. */
export async function removeOwnReport(dir: string, name: string): Promise<void> {
  const p = path.join(dir, name);
  if ((await kindOf(p)) !== 'file') return;
  if (await isOurs(dir, name, await readMarker(dir))) await rm(p, { force: true });
}

/**
 * Writes a single file `file` for `schema --out` / `new --out`: parents created one by one, never
 * through a link, and an existing file replaced only when `isOwn(its text)` says svclab wrote it.
 */
export async function writeSingleFile(file: string, text: string, what: string, isOwn: (existing: string) => boolean): Promise<void> {
  const abs = path.resolve(file);
  await makeFolder(path.dirname(abs), what, file);
  const kind = await kindOf(abs);
  if (kind === 'link') throw new UsageError(`${what} ${file}: is a symbolic link; svclab does not write through links`);
  if (kind === 'dir') throw new UsageError(`${what} ${file}: is a folder; give a file name`);
  if (kind === 'other') throw new UsageError(`${what} ${file}: exists and is not a regular file`);
  if (kind === 'file' && !isOwn(await readNoFollow(abs, 4 * 1024 * 1024))) {
    throw new UsageError(`${what} ${file}: already exists; not overwriting it`);
  }
  let tmp: string;
  try {
    tmp = await writeTemp(path.dirname(abs), path.basename(abs), text);
  } catch (err) {
    throw new UsageError(`${what} ${file}: cannot write: ${reason(err)}`);
  }
  if (kind === 'missing') {
    // Exclusive: a file that appeared meanwhile is kept (link(2) never replaces).
    try {
      await link(tmp, abs);
    } catch (err) {
      throw new UsageError(errnoOf(err) === 'EEXIST' ? `${what} ${file}: already exists; not overwriting it` : `${what} ${file}: cannot write: ${reason(err)}`);
    } finally {
      await rm(tmp, { force: true });
    }
    return;
  }
  await rename(tmp, abs);
}
