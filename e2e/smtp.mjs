// A small SMTP server for browser tests: accepts every message over plain
// SMTP on 127.0.0.1 and keeps it, so a test can wait for the email Concord
// sent. Only what Concord's client (lettre) says is understood.

import net from 'node:net';

export async function startSmtp() {
  const messages = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let data = '';
    socket.write('220 e2e.example ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk;
      let at;
      while ((at = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(data);
            data = '';
            socket.write('250 Queued\r\n');
          } else {
            data += (line.startsWith('.') ? line.slice(1) : line) + '\r\n';
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-e2e.example\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 Go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 Bye\r\n');
        } else socket.write('250 OK\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `smtp://127.0.0.1:${port}?tls=none`,
    messages,
    /** The first message whose raw text matches `test`, waiting up to `ms`. */
    async waitFor(test, ms = 20_000) {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const found = messages.find((m) => test(m));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no matching email within ${ms / 1000} s; got ${messages.length}:\n${messages.map((m) => m.split('\r\n\r\n')[0]).join('\n---\n')}`);
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
