package io.samsa.security;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JAAS configuration as Kafka's {@code sasl.jaas.config} holds it: {@code <LoginModuleClass> <flag> key="value" ...;}.
 * The broker needs only the options (PLAIN's {@code user_<name>="<password>"}). Values may be quoted (with
 * backslash escapes) or bare. Immutable.
 *
 * @param loginModule the login module's class name
 * @param options the options in order
 */
public record JaasConfig(String loginModule, Map<String, String> options) {

    /** @throws IllegalArgumentException naming what is wrong (never echoing a password) */
    public static JaasConfig parse(String text) {
        String s = text.trim();
        int i = 0;
        int start = i;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != ';') {
            i++;
        }
        String module = s.substring(start, i);
        i = skipSpace(s, i);
        start = i;
        while (i < s.length() && Character.isLetter(s.charAt(i))) {
            i++;
        }
        String flag = s.substring(start, i);
        if (module.isEmpty() || !(flag.equals("required") || flag.equals("requisite") || flag.equals("sufficient")
                || flag.equals("optional"))) {
            throw new IllegalArgumentException("expected '<LoginModule> required key=\"value\" ...;'");
        }
        Map<String, String> options = new LinkedHashMap<>();
        while (true) {
            i = skipSpace(s, i);
            if (i >= s.length()) {
                throw new IllegalArgumentException("the JAAS configuration must end with ';'");
            }
            if (s.charAt(i) == ';') {
                if (!s.substring(i + 1).isBlank()) {
                    throw new IllegalArgumentException("one login module only is supported");
                }
                return new JaasConfig(module, options);
            }
            start = i;
            while (i < s.length() && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(start, i);
            i = skipSpace(s, i);
            if (i >= s.length() || s.charAt(i) != '=' || key.isEmpty()) {
                throw new IllegalArgumentException("expected key=value after option " + options.size());
            }
            i = skipSpace(s, i + 1);
            StringBuilder value = new StringBuilder();
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    value.append(s.charAt(i++));
                }
                if (i >= s.length()) {
                    throw new IllegalArgumentException("unterminated quoted value of option " + key);
                }
                i++;
            } else {
                while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != ';') {
                    value.append(s.charAt(i++));
                }
            }
            options.put(key, value.toString());
        }
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** PLAIN's users: the {@code user_<name>} options, name → password. */
    public Map<String, String> plainUsers() {
        Map<String, String> users = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (k.startsWith("user_") && k.length() > 5) {
                users.put(k.substring(5), v);
            }
        });
        return users;
    }
}
