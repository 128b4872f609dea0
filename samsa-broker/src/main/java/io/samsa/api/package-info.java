/**
 * One handler per Kafka API. Handlers turn requests into calls on the layers below and put Kafka error codes in the
 * responses; {@link io.samsa.api.ApiDispatcher} connects them to the network.
 */
package io.samsa.api;
