/**
 * The one entry point between the protocol adapters and the scheduler: resolve the served model, validate once,
 * turn the request into queue entries, admit or refuse them, answer on the requesting side and count the outcome.
 * It knows no wire format.
 */
package dev.zeroserve.serving;
