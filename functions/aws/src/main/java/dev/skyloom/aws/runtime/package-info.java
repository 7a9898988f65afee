/** Adapters of the agent turn engine's ports: step documents on S3, events on EventBridge. */
package dev.skyloom.aws.runtime;
