import { SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span } from '@opentelemetry/api';

/**
 * OpenTelemetry traces (docs/metrics.md#traces), off by default. With `OTEL_TRACES_EXPORTER=otlp`
 * a process sends its spans over OTLP/HTTP: one per API request (its route, status and request id,
 * continuing the caller's W3C `traceparent`) and one per job. The SDK is loaded only when on, so a
 * process without traces pays nothing but a no-op tracer. Spans carry route templates and ids,
 * never query strings, bodies or addresses (no personal data).
 */

export interface TracingSettings {
  OTEL_TRACES_EXPORTER: 'none' | 'otlp';
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME?: string | undefined;
}

export interface Tracing {
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

const tracer = () => trace.getTracer('afterview');
let enabled = false;
export const tracingEnabled = () => enabled;

export async function startTracing(settings: TracingSettings, role: 'api' | 'worker' | 'all'): Promise<Tracing | null> {
  if (settings.OTEL_TRACES_EXPORTER !== 'otlp') return null;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const exporter = new OTLPTraceExporter({ url: settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? 'http://127.0.0.1:4318/v1/traces' });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.OTEL_SERVICE_NAME ?? 'afterview', 'afterview.role': role }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Sets the global tracer, the AsyncLocalStorage context and the W3C trace-context propagator.
  provider.register();
  enabled = true;
  return {
    async shutdown() {
      enabled = false;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** A server span for a request, continuing the caller's trace when its headers carry one. */
export function startRequestSpan(method: string, headers: Record<string, unknown>, requestId: string): { span: Span; ctx: Context } {
  const parent = propagation.extract(context.active(), headers);
  const span = tracer().startSpan(`${method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'afterview.request_id': requestId } }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

/** Ends a request's span with its route template and status. */
export function endRequestSpan(span: Span, method: string, route: string | undefined, status: number): void {
  if (route) {
    span.setAttribute('http.route', route);
    span.updateName(`${method} ${route}`);
  }
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** Runs a job inside a consumer span named after it. */
export async function inJobSpan<T>(queue: string, name: string, jobId: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  return tracer().startActiveSpan(
    `job ${name}`,
    { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': queue, 'afterview.job.name': name, 'afterview.job.id': jobId ?? '' } },
    async (span) => {
      try {
        return await fn();
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
