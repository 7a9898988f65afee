/** Skyloom's domain: model, services and ports. No AWS SDK here; adapters live in skyloom-aws. */
package dev.skyloom.core;
