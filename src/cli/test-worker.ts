// A worker thread of `ebpfvm test --jobs N`: tests the objects the main thread sends, one at a
// time, and posts each object's results back. It answers only when started as a test worker
// (workerData), so importing it elsewhere (e.g. inside a test runner's own worker) does nothing.
import { parentPort, workerData } from 'node:worker_threads';
import { testFile, WORKER_MARK, type WorkerReply, type WorkerRequest } from './test-file.js';

if (parentPort && workerData === WORKER_MARK) {
  const port = parentPort;
  port.on('message', (req: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      reply = { index: req.index, results: testFile(req.file, req.opts) };
    } catch (e) {
      reply = { index: req.index, error: (e as Error)?.stack ?? String(e) };
    }
    port.postMessage(reply);
  });
}
