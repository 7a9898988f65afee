/** Rate limits per API key and per tenant over shared counters ({@link dev.skyloom.core.ratelimit.RateCounter}). */
package dev.skyloom.core.ratelimit;
