/**
 * The controller's cluster logic: broker registration, heartbeats and sessions ({@link
 * io.samsa.metadata.controller.BrokerLifecycleControl}), the partition elections a broker's fencing, unfencing or
 * shutdown calls for ({@link io.samsa.metadata.controller.PartitionElections}), where new replicas go ({@link
 * io.samsa.metadata.controller.ReplicaPlacer}), and the broker's side of the lifecycle ({@link
 * io.samsa.metadata.controller.BrokerLifecycleAgent}). Everything here computes records from an image; writing them
 * is the {@link io.samsa.metadata.MetadataController}'s job.
 */
package io.samsa.metadata.controller;
