/**
 * What a node of a cluster does with its peers over the Kafka protocol: forwarding metadata changes to the active
 * controller, and registering itself with it.
 */
package io.samsa.cluster;
