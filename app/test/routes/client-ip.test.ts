import assert from "node:assert/strict";
import { useApp } from "../helpers/app";

/**
 * request.ip (the ActiveClients metric counts it) is the address CloudFront received the request
 * from: X-Forwarded-For's entry two hops back (TRUST_PROXY_HOPS). CloudFront and then the load
 * balancer each append one entry; whatever the client wrote itself stays further left and is
 * ignored, so it cannot choose its own address.
 */
describe("client address behind CloudFront and the load balancer", () => {
  const t = useApp({}, (app) => {
    app.get("/test/ip", async (request) => ({ ip: request.ip }));
  });
  const ipFor = async (xff?: string) =>
    (
      await t.app.inject({
        url: "/test/ip",
        headers: xff === undefined ? {} : { "x-forwarded-for": xff },
      })
    ).json().ip;

  it("takes the client's address as CloudFront saw it", async () => {
    // client -> CloudFront (appends the client) -> ALB (appends the edge) -> task
    assert.equal(await ipFor("198.51.100.7, 130.176.1.10"), "198.51.100.7");
  });

  it("ignores addresses a client forges in X-Forwarded-For, however many", async () => {
    assert.equal(await ipFor("203.0.113.66, 198.51.100.7, 130.176.1.10"), "198.51.100.7");
    assert.equal(
      await ipFor("10.0.0.1, 203.0.113.66, 192.0.2.5, 198.51.100.7, 130.176.1.10"),
      "198.51.100.7",
    );
  });

  it("uses the peer's address for a direct request (health checks, inside the VPC)", async () => {
    assert.equal(await ipFor(), "127.0.0.1");
  });

  describe("TRUST_PROXY_HOPS=1 (a load balancer alone, no CDN)", () => {
    const one = useApp({ env: { TRUST_PROXY_HOPS: "1" } }, (app) => {
      app.get("/test/ip", async (request) => ({ ip: request.ip }));
    });
    it("takes the last entry, which the load balancer wrote", async () => {
      const res = await one.app.inject({
        url: "/test/ip",
        headers: { "x-forwarded-for": "203.0.113.66, 198.51.100.7" },
      });
      assert.equal(res.json().ip, "198.51.100.7");
    });
  });
});
