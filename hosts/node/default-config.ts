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
