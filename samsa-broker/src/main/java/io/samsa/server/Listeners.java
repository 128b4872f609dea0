package io.samsa.server;

import io.samsa.network.SecurityProtocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code listeners}, {@code advertised.listeners} and {@code listener.security.protocol.map} parsed as Kafka parses
 * them: a comma-separated list of {@code NAME://host:port} (an empty host binds every address, an IPv6 host may be in
 * brackets), names upper-cased and unique, ports unique, each name's protocol looked up in the map (whose default maps
 * the four protocol names to themselves). Every problem names the entry that has it. Thread-safe (stateless).
 */
final class Listeners {

    static final String DEFAULT_PROTOCOL_MAP =
            "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL";

    /** Kafka's endpoint syntax (SocketServerConfigs): the name, an optional bracketed host, a port. */
    private static final Pattern ENDPOINT = Pattern.compile("^(.*)://\\[?([0-9a-zA-Z\\-%._:]*)\\]?:(-?[0-9]+)");

    /**
     * One listener.
     *
     * @param name upper-cased name
     * @param protocol its security protocol
     * @param host the address to bind (0.0.0.0 when the entry had none)
     * @param port the port to bind (0: any)
     * @param advertisedHost what clients are told (advertised.listeners, else the bound host)
     * @param advertisedPort what clients are told (0: the port actually bound)
     */
    record Listener(String name, SecurityProtocol protocol, String host, int port, String advertisedHost,
            int advertisedPort) {}

    private Listeners() {}

    /**
     * Parses the listener keys; adds every problem found to {@code problems}.
     *
     * @return the listeners in configuration order, or an empty list when there were problems
     */
    static List<Listener> parse(String listeners, String advertised, String protocolMap, List<String> problems) {
        int before = problems.size();
        Map<String, SecurityProtocol> protocols = parseProtocolMap(protocolMap, problems);
        List<Endpoint> bound = parseList(listeners, "listeners", protocols, problems);
        Map<String, Endpoint> byName = new LinkedHashMap<>();
        Map<Integer, String> byPort = new HashMap<>();
        for (Endpoint e : bound) {
            if (byName.putIfAbsent(e.name(), e) != null) {
                problems.add("Invalid value '" + listeners + "' for listeners: each listener must have a different"
                        + " name, and " + e.name() + " appears twice");
            }
            String other = e.port() == 0 ? null : byPort.putIfAbsent(e.port(), e.name());
            if (other != null) {
                problems.add("Invalid value '" + listeners + "' for listeners: each listener must have a different"
                        + " port, and " + other + " and " + e.name() + " both use " + e.port());
            }
        }
        Map<String, Endpoint> advertisedByName = new HashMap<>();
        if (advertised != null && !advertised.isEmpty()) {
            for (Endpoint e : parseList(advertised, "advertised.listeners", protocols, problems)) {
                if (!byName.containsKey(e.name())) {
                    problems.add("Invalid entry '" + e.entry() + "' in advertised.listeners: " + e.name()
                            + " is not a listener in listeners");
                } else if (e.host().equals("0.0.0.0")) {
                    problems.add("Invalid entry '" + e.entry() + "' in advertised.listeners: it cannot use the"
                            + " nonroutable meta-address 0.0.0.0 (or an empty host)");
                } else if (advertisedByName.putIfAbsent(e.name(), e) != null) {
                    problems.add("Invalid value '" + advertised + "' for advertised.listeners: " + e.name()
                            + " appears twice");
                }
            }
        }
        if (bound.isEmpty() && problems.size() == before) {
            problems.add("Invalid value '" + listeners + "' for listeners: at least one listener is needed");
        }
        if (problems.size() > before) {
            return List.of();
        }
        List<Listener> result = new ArrayList<>();
        for (Endpoint e : byName.values()) {
            Endpoint adv = advertisedByName.get(e.name());
            result.add(new Listener(e.name(), e.protocol(), e.host(), e.port(),
                    adv != null ? adv.host() : e.host().equals("0.0.0.0") ? "127.0.0.1" : e.host(),
                    adv != null ? adv.port() : e.port()));
        }
        return result;
    }

    private record Endpoint(String entry, String name, SecurityProtocol protocol, String host, int port) {}

    private static List<Endpoint> parseList(String value, String key, Map<String, SecurityProtocol> protocols,
            List<String> problems) {
        List<Endpoint> result = new ArrayList<>();
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            Matcher m = ENDPOINT.matcher(entry);
            if (!m.matches()) {
                problems.add("Invalid entry '" + entry + "' in " + key + ": expected NAME://host:port, for example"
                        + " PLAINTEXT://127.0.0.1:9092 or SASL_SSL://:9093");
                continue;
            }
            String name = m.group(1).toUpperCase(Locale.ROOT);
            long port;
            try {
                port = Long.parseLong(m.group(3));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                problems.add("Invalid entry '" + entry + "' in " + key + ": the port must be in 0..65535");
                continue;
            }
            SecurityProtocol protocol = protocols.get(name);
            if (protocol == null) {
                problems.add("Invalid entry '" + entry + "' in " + key + ": no security protocol defined for listener "
                        + name + " (listener.security.protocol.map)");
                continue;
            }
            String host = m.group(2).isEmpty() ? "0.0.0.0" : m.group(2);
            result.add(new Endpoint(entry, name, protocol, host, (int) port));
        }
        return result;
    }

    private static Map<String, SecurityProtocol> parseProtocolMap(String value, List<String> problems) {
        Map<String, SecurityProtocol> result = new HashMap<>();
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0 || colon != entry.lastIndexOf(':')) {
                problems.add("Invalid entry '" + entry + "' in listener.security.protocol.map: expected"
                        + " LISTENER_NAME:PROTOCOL");
                continue;
            }
            String name = entry.substring(0, colon).trim().toUpperCase(Locale.ROOT);
            String protocol = entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            try {
                if (result.put(name, SecurityProtocol.valueOf(protocol)) != null) {
                    problems.add("Invalid entry '" + entry + "' in listener.security.protocol.map: " + name
                            + " is mapped twice");
                }
            } catch (IllegalArgumentException e) {
                problems.add("Invalid entry '" + entry + "' in listener.security.protocol.map: " + protocol
                        + " is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
            }
        }
        return result;
    }
}
