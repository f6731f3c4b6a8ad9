// For failure messages when a worker hangs: the worker's JavaScript stack, taken through the inspector's
// NodeWorker domain from the main thread (the worker may be stuck in a loop and answer no message). A worker
// blocked in an endless Atomics.wait cannot be paused: it is reported as not answering.

import { Session } from 'node:inspector';
import type { Worker } from 'node:worker_threads';

interface CallFrame {
  functionName: string;
  url: string;
  location: { scriptId: string; lineNumber: number; columnNumber: number };
}

/** Each worker's stack (top first, at most `depth` frames), by threadId; best effort, within ms. */
export async function workerStacks(workers: Worker[], ms = 3000, depth = 12): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const want = new Set(workers.map((w) => w.threadId));
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))));
  const sessions = new Map<string, number>(); // inspector session id -> threadId
  const scripts = new Map<string, string>(); // session id + script id -> url (frames of modules carry no url)
  let nextId = 1;
  const send = (sessionId: string, method: string, params: object = {}): Promise<unknown> =>
    post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: nextId++, method, params }) });
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      session.on('NodeWorker.attachedToWorker', (msg) => {
        const p = msg.params as { sessionId: string; workerInfo: { workerId: string; title: string } };
        // workerId is the inspector's own count; the title, '[worker <threadId>]' (plus the worker's name), has
        // the threadId.
        const tid = Number(/\[worker (\d+)\]/.exec(p.workerInfo.title)?.[1] ?? -1);
        if (!want.has(tid)) return;
        sessions.set(p.sessionId, tid);
        void send(p.sessionId, 'Debugger.enable').then(() => send(p.sessionId, 'Debugger.pause')).catch(() => undefined);
      });
      session.on('NodeWorker.receivedMessageFromWorker', (msg) => {
        const p = msg.params as { sessionId: string; message: string };
        const tid = sessions.get(p.sessionId);
        if (tid === undefined) return;
        const m = JSON.parse(p.message) as { method?: string; params?: { callFrames: CallFrame[]; scriptId: string; url: string } };
        if (m.method === 'Debugger.scriptParsed') scripts.set(`${p.sessionId} ${m.params!.scriptId}`, m.params!.url);
        if (m.method !== 'Debugger.paused' || out.has(tid)) return;
        const url = (f: CallFrame): string => f.url || (scripts.get(`${p.sessionId} ${f.location.scriptId}`) ?? '');
        const frames = m.params!.callFrames.slice(0, depth);
        out.set(
          tid,
          frames.map((f) => `${f.functionName || '(anonymous)'} ${url(f).replace(/^.*\/build\//, '')}:${f.location.lineNumber + 1}`).join(' < '),
        );
        void send(p.sessionId, 'Debugger.resume').catch(() => undefined);
        if (out.size === want.size) {
          clearTimeout(timer);
          resolve();
        }
      });
      void post('NodeWorker.enable', { waitForDebuggerOnStart: false }).catch(() => resolve());
    });
  } finally {
    session.disconnect();
  }
  for (const tid of want) if (!out.has(tid)) out.set(tid, '(no answer: blocked in Atomics.wait, or exited)');
  return out;
}
