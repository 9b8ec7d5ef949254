import { connect } from 'node:net';

/** Whether something accepts TCP connections on 127.0.0.1:port (a service of the stack is up). */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}
