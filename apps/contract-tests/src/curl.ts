// Renders a request as a runnable curl command, so a shrunk fuzz failure can be replayed by hand.
export interface SentRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export function toCurl(req: SentRequest): string {
  const parts = ["curl", "-sS", "-i", "-X", req.method.toUpperCase(), quote(req.url)];
  for (const [k, v] of Object.entries(req.headers)) parts.push("-H", quote(`${k}: ${v}`));
  if (req.body !== undefined) parts.push("--data-binary", quote(req.body));
  return parts.join(" ");
}
