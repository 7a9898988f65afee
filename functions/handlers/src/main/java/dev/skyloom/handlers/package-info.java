/**
 * Lambda entry points. Each handler is short: parse, call a service, map the result. {@link
 * dev.skyloom.handlers.Composition} is the one composition root: configuration and SDK clients built once per
 * execution environment.
 */
package dev.skyloom.handlers;
