/**
 * The network's registry keys. JANOS keeps a unit's addressing under `IpConfig/` (janos.md §6.5
 * names `IpConfig/Hostname`; the other names here follow JNIOR's style and are UNCONFIRMED); the
 * Wi-Fi keys sit in the same node. A change applies at once: the link joins again.
 */
import type { KeyFormat } from "../registry/schema.ts";
import { keyTable } from "../registry/schema.ts";
import { isIpv4 } from "./ipv4.ts";

const IPV4: KeyFormat = { description: "an IPv4 address such as 192.168.1.20", test: isIpv4 };
const HOST_NAME: KeyFormat = { description: "a host name (letters, digits, inner hyphens)", test: (v) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(v) };
const HOST_NAMES: KeyFormat = {
  description: "host names or addresses separated by commas",
  test: (v) => v.split(",").every((n) => /^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(n.trim())),
};

/** WPA2 passphrases are 8 to 63 characters (IEEE 802.11i). */
export const WPA2_MIN = 8;

export const NETWORK_KEYS = keyTable(
  [
    { pattern: "IpConfig/Hostname", type: "string", max: 32, format: HOST_NAME, description: "The unit's host name, also its mDNS name (<name>.local); empty: iobox-<last four hex digits of the MAC>." },
    { pattern: "IpConfig/DHCP", type: "boolean", default: "true", description: "Take the address from DHCP; off: the static address below." },
    { pattern: "IpConfig/IPAddress", type: "string", format: IPV4, description: "The static address (with DHCP off)." },
    { pattern: "IpConfig/SubnetMask", type: "string", format: IPV4, default: "255.255.255.0", description: "The static address's subnet mask." },
    { pattern: "IpConfig/Gateway", type: "string", format: IPV4, description: "The default gateway (with DHCP off)." },
    { pattern: "IpConfig/PrimaryDNS", type: "string", format: IPV4, description: "The name server (with DHCP off)." },
    { pattern: "IpConfig/SecondaryDNS", type: "string", format: IPV4, description: "A second name server (with DHCP off)." },
    { pattern: "IpConfig/WiFi/SSID", type: "string", min: 1, max: 32, description: "The Wi-Fi network to join; without it the unit opens its setup access point." },
    { pattern: "IpConfig/WiFi/Password", type: "string", max: 63, secret: true, description: "The Wi-Fi network's password (WPA2: 8 to 63 characters; empty: an open network)." },
    {
      pattern: "IpConfig/SetupPassword",
      type: "string",
      min: WPA2_MIN,
      max: 63,
      secret: true,
      description: "The WPA2 password of the setup access point (iobox-XXXX); made at the first setup and shown on the serial console.",
    },
    { pattern: "IpConfig/SetupAfter", type: "integer", min: 30, max: 3600, default: "180", unit: "s", description: "How long the unit tries to join before it opens its setup access point too." },
    { pattern: "IpConfig/TimeServers", type: "string", max: 255, format: HOST_NAMES, default: "pool.ntp.org", description: "SNTP servers, tried in turn." },
  ],
  { node: "IpConfig", owner: "the network" },
);
