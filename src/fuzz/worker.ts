/** Worker thread of `svclab fuzz`: judges the cases the main thread sends, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { checkCase } from './check-case.js';

const dir = (workerData as { dir: string }).dir;

parentPort!.on('message', (msg: { index: number; text: string }) => {
  const file = path.join(dir, `case-${msg.index}.yaml`);
  void checkCase(file, msg.text).then((verdict) => parentPort!.postMessage({ index: msg.index, verdict }));
});
