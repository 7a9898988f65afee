/**
 * Platform events as streams: what the ingest path accepts from the bus ({@link dev.skyloom.core.events.EventEnvelopes}),
 * how it stores each event once with a gapless per-stream sequence ({@link dev.skyloom.core.events.IngestService} over
 * the {@link dev.skyloom.core.events.EventStore} port), and how the API reads a run's stream, page by page or by long
 * poll ({@link dev.skyloom.core.events.RunEventsService}). See docs/decisions/0600-events-ingest-and-streams.md.
 */
package dev.skyloom.core.events;
