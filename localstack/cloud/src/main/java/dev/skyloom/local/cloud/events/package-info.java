/**
 * A local EventBridge: event buses, rules with event patterns, and targets (SQS queues, Lambda functions, Step
 * Functions state machines), behind the EventBridge API (AWS JSON 1.1) on the edge. Rules and targets are stored
 * under the data directory; PutEvents delivers to every matching target before it answers.
 */
package dev.skyloom.local.cloud.events;
