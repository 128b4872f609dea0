/**
 * Security: TLS server contexts and the mapping of certificates to principals, SASL authentication (PLAIN and
 * SCRAM) and the ACL authorizer. Knows neither sockets nor Kafka messages: the network layer runs TLS with the
 * contexts built here, and the API layer runs the SASL exchanges and asks the authorizer.
 */
package io.samsa.security;
