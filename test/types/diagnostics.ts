/** Type tests for subscribeDiagnostics(), compiled by the main `tsc` run and never executed. */
import { subscribeDiagnostics } from '../../lib/index.js';
import type { DiagnosticsChannelName } from '../../lib/index.js';

export function typedMessages(): void {
  const stops = [
    subscribeDiagnostics('miss', ({ url, reason }) => void [url.length, reason.length]),
    subscribeDiagnostics('stored', ({ expiresAt }) => void expiresAt.toFixed()),
    subscribeDiagnostics('error', ({ error, operation }) => void [error.message, operation]),
    subscribeDiagnostics('hit', (message, channel) => {
      const name: 'axios-http-cache:hit' = channel;
      // @ts-expect-error a hit carries no reason
      void message.reason;
      void name;
    }),
  ];
  // @ts-expect-error not an event name
  subscribeDiagnostics('hits', () => undefined);
  const name: DiagnosticsChannelName = 'axios-http-cache:bypass';
  // @ts-expect-error not a channel this cache publishes on
  const wrong: DiagnosticsChannelName = 'axios-http-cache:hits';
  for (const stop of stops) stop();
  void [name, wrong];
}
