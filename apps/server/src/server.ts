/** `createServer`: the app on a real HTTP listener, with graceful close. */
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type AppOptions, createApp, type ServerApp } from "./app.js";
import { openStore, type StoreOptions } from "./store/open.js";

export interface ServerOptions extends AppOptions, Omit<StoreOptions, "onError"> {
  /** Port to listen on (default 8080; 0 = an ephemeral port). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
}

export interface RunningServer extends Omit<ServerApp, "ready"> {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  host: string;
  /** Stops accepting connections, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

/** In-flight requests get this long to finish on close before their connections are cut. */
const CLOSE_GRACE_MS = 10_000;

export async function createServer(options: ServerOptions = {}): Promise<RunningServer> {
  const port = options.port ?? 8080;
  const host = options.host ?? "127.0.0.1";
  // A store opened here (from `dataDir` / `databaseUrl`) is this server's: close() closes it.
  let report = (_message: string) => {};
  const owned =
    options.store === undefined &&
    (options.dataDir !== undefined || options.databaseUrl !== undefined)
      ? await openStore({ ...options, onError: (message) => report(message) })
      : undefined;
  const { ready, ...handle } = createApp(owned ? { ...options, store: owned } : options);
  report = (message) => handle.logger.warn({ err: message }, "database connection lost");
  try {
    await ready;
  } catch (err) {
    await owned?.close();
    throw err;
  }
  // Idle keep-alive connections outlive the clients' own idle timeout (undici: 4 s), so a client
  // never reuses a connection the server is closing at that moment: with Node's default of 5 s,
  // a test process whose event loop was busy for a second sent a request into the close and got
  // ECONNRESET. Closing the server still ends idle connections at once.
  const server = createHttpServer({ keepAliveTimeout: 65_000, headersTimeout: 66_000 }, handle.app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  // The SMN messages' signing_cert_url and unsubscribe_url point back at this server.
  handle.events.setBaseUrl(url);
  let closing: Promise<void> | undefined;
  return {
    ...handle,
    url,
    port: address.port,
    host,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        // Keep-alive sockets would otherwise hold the server open until their timeout: close
        // them as soon as they go idle, i.e. once their in-flight request has been answered.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        sweep.unref();
        server.close((err) => {
          clearTimeout(force);
          clearInterval(sweep);
          // Then the expiry sweep, the deliveries (attempts in flight are aborted, pending ones
          // let go for another replica to take over), then the store.
          handle.secretLifecycle.close();
          handle.events
            .close()
            .then(() => owned?.close())
            .then(
              () => (err ? reject(err) : resolve()),
              (closeErr: Error) => reject(err ?? closeErr),
            );
        });
        // Event streams never end by themselves: ended here, their connections close as idle.
        handle.live.close();
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
