/** How a file is shown to people: relative to the run's directory when inside it, else as is. */
export function displayPath(file: string, cwd: string): string {
  const base = cwd.endsWith('/') ? cwd : cwd + '/';
  return file.startsWith(base) ? file.slice(base.length) : file;
}
