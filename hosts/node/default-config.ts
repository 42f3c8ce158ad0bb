/** The simulator's embedded default config.json: a web server on 8080 (plain) and 8443 (TLS). */
export const DEFAULT_CONFIG = `{
  "board": "jnior-410",
  "httpServer": {
    "port": 8443,
    "httpPort": 8080,
    "authentication": { "realm": "iobox", "schemes": ["Basic", "Bearer"] }
  }
}
`;

/**
 * The simulator's embedded default security.json: the three roles the accounts map to (users.ts
 * ROLES_OF), each entitled to connect to /api/ws and read; writing relays needs Operator or
 * Administrator. Everyone else (a token whose claims map to no role) is refused. No TLS section:
 * the simulator's development certificate serves.
 */
export const DEFAULT_SECURITY = `{
  "roles": [
    { "name": "Administrator", "UUID": "8a38fb06-fa47-4f98-9419-a0fb6511e671" },
    { "name": "Operator", "UUID": "3f0d1c52-6b1e-4c8a-9f3e-2a7d5b9c4e10" },
    { "name": "Viewer", "UUID": "c7e2a9d4-1b5f-4e6a-8d3c-0f9b2e7a6c51" }
  ],
  "ACL": {
    "inherit": false,
    "entries": [
      { "role": "Administrator", "allow": ["websocket.connect", "read", "write"] },
      { "role": "Operator", "allow": ["websocket.connect", "read", "write"] },
      { "role": "Viewer", "allow": ["websocket.connect", "read"] }
    ]
  }
}
`;
