package io.twinstream.infra.stack.local;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Who may log in to the broker and what each login may do, enforced by Mosquitto's dynamic
 * security plugin (shipped with Mosquitto 2.0) at connect, subscribe and publish time:
 *
 * <ul>
 *   <li>{@link Role#BRIDGE}: may join the bridge's shared subscription {@code $share/ingest/telemetry/#}
 *       and receive telemetry; nothing else.</li>
 *   <li>{@link Role#ALERTS}: may publish under {@code alerts/#}.</li>
 *   <li>{@link Role#ADMIN}: may change the plugin's logins and roles at run time (its
 *       {@code $CONTROL/dynamic-security/#} API, what {@code mosquitto_ctrl dynsec} sends) and read
 *       {@code $SYS}: what {@code mosquitto_ctrl dynsec init} gives its admin, as Compose's broker
 *       has (infra/mosquitto/provision-access provisions it).</li>
 *   <li>{@link Role#DEVICE}: a device whose username is its id; may connect only with that id as
 *       its client id, publish its own telemetry ({@code telemetry/+/+/+/<id>}) but not as a
 *       gateway ({@code telemetry/+/+/gateway/<id>}: a gateway's batches name other devices, and
 *       ingest refuses a batch naming another device anywhere else), and its status
 *       ({@code devices/<id>/status}); may not subscribe to anything.</li>
 *   <li>{@link Role#GATEWAY}: the same for a gateway, which publishes its devices' batches on
 *       {@code telemetry/+/+/gateway/<id>} only.</li>
 * </ul>
 *
 * Why a device's client id is bound to its login: a client that connects with a connected
 * client's id takes that connection over. Measured before the binding: a device's login asking for
 * one of the bridge's client ids (its session kept) was let in and the bridge's connection dropped;
 * the bridge took it back 0.4 s later, and an intruder reconnecting in a loop would keep it off the
 * broker. The services' logins (bridge, alerts) open several connections with ids of their own and
 * are not bound; they are the operator's.
 *
 * Why the plugin and not an {@code acl_file}: Mosquitto checks an ACL file's read rules only when
 * it delivers a message, never at subscribe time, so any login may join {@code $share/ingest/…};
 * the broker then gives that member its share of the messages and drops each one on delivery
 * (measured with Mosquitto 2.0.11: 10 of 20 never reached the bridge). The plugin refuses the
 * subscription itself (SUBACK 135). It has no per-username patterns in 2.0, so each device has a
 * role of its own.
 */
public record BrokerAccess(Map<String, Login> logins) {

    public enum Role {
        BRIDGE,
        ALERTS,
        DEVICE,
        GATEWAY,
        ADMIN
    }

    public record Login(String password, Role role) {}

    public BrokerAccess {
        logins = Map.copyOf(logins);
        logins.keySet().forEach(user -> {
            if (!user.matches("[A-Za-z0-9_.:-]{1,128}")) {
                throw new IllegalArgumentException(
                        "a broker login must be 1-128 letters, digits, '_', '.', ':' or '-', was '" + user + "'");
            }
        });
    }

    /** The plugin's configuration file: deny by default, one role per kind of login (per device). */
    String dynamicSecurityJson() {
        List<String> clients = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        roles.add(role(
                "bridge",
                acl("subscribePattern", "$share/ingest/telemetry/#"),
                acl("publishClientReceive", "telemetry/#")));
        roles.add(role("alerts", acl("publishClientSend", "alerts/#")));
        roles.add(role(
                "admin",
                acl("publishClientSend", "$CONTROL/dynamic-security/#"),
                acl("publishClientReceive", "$CONTROL/dynamic-security/#"),
                acl("subscribePattern", "$CONTROL/dynamic-security/#"),
                acl("publishClientReceive", "$SYS/#"),
                acl("subscribePattern", "$SYS/#")));
        for (Map.Entry<String, Login> login : new TreeMap<>(logins).entrySet()) {
            String user = login.getKey();
            String role = switch (login.getValue().role()) {
                case BRIDGE -> "bridge";
                case ALERTS -> "alerts";
                case ADMIN -> "admin";
                case DEVICE -> "device-" + user;
                case GATEWAY -> "gateway-" + user;
            };
            if (login.getValue().role() == Role.DEVICE) {
                roles.add(role(
                        role,
                        deny("publishClientSend", "telemetry/+/+/gateway/" + user),
                        acl("publishClientSend", "telemetry/+/+/+/" + user),
                        acl("publishClientSend", "devices/" + user + "/status")));
            }
            if (login.getValue().role() == Role.GATEWAY) {
                roles.add(role(
                        role,
                        acl("publishClientSend", "telemetry/+/+/gateway/" + user),
                        acl("publishClientSend", "devices/" + user + "/status")));
            }
            boolean bound =
                    login.getValue().role() == Role.DEVICE || login.getValue().role() == Role.GATEWAY;
            clients.add(client(user, login.getValue().password(), role, bound ? user : null));
        }
        return "{\"defaultACLAccess\":{\"publishClientSend\":false,\"publishClientReceive\":false,\"subscribe\":false,"
                + "\"unsubscribe\":true},\n\"clients\":[" + String.join(",\n", clients)
                + "],\n\"groups\":[],\n\"roles\":["
                + String.join(",\n", roles) + "]}\n";
    }

    private static String role(String name, String... acls) {
        return "{\"rolename\":\"" + name + "\",\"acls\":[" + String.join(",", acls) + "]}";
    }

    private static String acl(String type, String topic) {
        return "{\"acltype\":\"" + type + "\",\"topic\":\"" + topic + "\",\"priority\":0,\"allow\":true}";
    }

    /** Refused, and looked at before the role's other rules (a higher priority): an exception to a wider one. */
    private static String deny(String type, String topic) {
        return "{\"acltype\":\"" + type + "\",\"topic\":\"" + topic + "\",\"priority\":1,\"allow\":false}";
    }

    /**
     * A client as the plugin stores it: PBKDF2-HMAC-SHA512, 101 iterations, a 12-byte salt, base64;
     * with a {@code clientId}, the only client id the login may connect with.
     */
    private static String client(String user, String password, String role, String clientId) {
        byte[] salt = new byte[12];
        new SecureRandom().nextBytes(salt);
        byte[] hash;
        try {
            hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 101, 512))
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is part of every JDK", e);
        }
        Base64.Encoder base64 = Base64.getEncoder();
        return "{\"username\":\"" + user + "\"" + (clientId == null ? "" : ",\"clientid\":\"" + clientId + "\"")
                + ",\"password\":\"" + base64.encodeToString(hash) + "\",\"salt\":\""
                + base64.encodeToString(salt) + "\",\"iterations\":101,\"roles\":[{\"rolename\":\"" + role + "\"}]}";
    }
}
