/** The events table: event streams with a gapless per-stream sequence, deduplicated by event id (DynamoDB). */
package dev.skyloom.aws.events;
