/**
 * The JSON-lines framing every link of the netns backend uses (svclab <-> sandbox agent <->
 * namespace workers): one JSON message per line; a line that is not JSON is skipped.
 */
import { createInterface, type Interface } from 'node:readline';

/** Calls `handle` with each JSON message read from `input`; returns the reader (for its 'close'). */
export function onJsonLines<T>(input: NodeJS.ReadableStream, handle: (message: T) => void): Interface {
  const lines = createInterface({ input });
  lines.on('line', (line) => {
    let message: T;
    try {
      message = JSON.parse(line) as T;
    } catch {
      return;
    }
    handle(message);
  });
  return lines;
}
