/** The group coordinator: classic consumer-group membership and committed offsets on {@code __consumer_offsets}. */
package io.samsa.coordinator.group;
