"""What the API and the web pages share about a request: who is asking (session cookie or
bearer token), whether they may use a route, CSRF, and the request id the audit trail keeps."""
