/** The broker process: configuration, lifecycle and the wiring of every layer below; the command-line entry point. */
package io.samsa.server;
