"""An independent XMPP client for openXMPP's interop tests, driven by JSON lines.

Reads one JSON command per line on stdin and writes one JSON event per line on stdout.
Every command may carry a "tag"; the answer to it is {"event": "done", "tag": ..., ...} or
{"event": "failed", "tag": ..., "error": ...}. Unsolicited events (messages, presence,
subscription requests, disconnects) come as they happen.

Commands:
  {"op": "connect", "jid", "password", "host", "port", "ca", "direct_tls": false,
   "auto_authorize": false}
  {"op": "message", "to", "body", "type": "chat", "id"?, "thread"?, "subject"?, "lang"?}
  {"op": "presence", "to"?, "type"?, "show"?, "status"?, "priority"?}
  {"op": "roster"}                       -> done with "items": [{"jid","name","subscription","groups"}]
  {"op": "raw", "xml"}                   sends the XML as it is
  {"op": "disconnect"}                   closes the stream; the process then exits

For benchmarks:
  {"op": "quiet"}                        messages are counted, no longer reported one by one
  {"op": "send_many", "to", "count", "body"}   sends count chat messages "<body> <n>"
  {"op": "wait_messages", "count", "timeout"?} -> done with "received" once count messages
                                         arrived since "quiet"
  {"op": "open_idle", "jid", "password", "host", "port", "ca", "count", "direct_tls": false}
                                         opens count more sessions of the account in this
                                         process (resources idle1…, no presence, roster
                                         fetched) and keeps them open -> done with "opened"
  {"op": "close_idle"}                   closes them
"""

import asyncio
import json
import logging
import sys

import slixmpp


def emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class Peer(slixmpp.ClientXMPP):
    def __init__(self, jid, password, auto_authorize):
        super().__init__(jid, password)
        self.auto_authorize = True if auto_authorize else None
        self.auto_subscribe = bool(auto_authorize)
        self.register_plugin("xep_0030")
        self.register_plugin("xep_0199")
        self.session_ready = asyncio.get_running_loop().create_future()
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", self.on_failed_auth)
        self.add_event_handler("connection_failed", self.on_connection_failed)
        self.add_event_handler("disconnected", self.on_disconnected)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("presence", self.on_presence)
        self.quiet = False
        self.received = 0
        self.waiter = None

    def settle(self, ok, detail):
        if not self.session_ready.done():
            self.session_ready.set_result((ok, detail))

    async def on_session_start(self, _event):
        self.send_presence()
        await self.get_roster()
        self.settle(True, str(self.boundjid))

    def on_failed_auth(self, _event):
        self.settle(False, "authentication failed")

    def on_connection_failed(self, error):
        self.settle(False, "connection failed: %s" % error)

    def on_disconnected(self, reason):
        self.settle(False, "disconnected: %s" % reason)
        emit({"event": "disconnected", "reason": str(reason)})

    def on_message(self, msg):
        if self.quiet:
            self.received += 1
            if self.waiter is not None and not self.waiter[1].done() \
                    and self.received >= self.waiter[0]:
                self.waiter[1].set_result(self.received)
            return
        emit({
            "event": "message",
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "type": msg["type"],
            "id": msg["id"] or None,
            "body": msg["body"] or None,
            "subject": msg["subject"] or None,
            "thread": msg["thread"] or None,
            "lang": msg["lang"] or None,
        })

    def on_presence(self, pres):
        emit({
            "event": "presence",
            "from": str(pres["from"]),
            "type": pres["type"],
            "show": pres["show"] or None,
            "status": pres["status"] or None,
            "priority": pres["priority"],
        })


class IdleSession(slixmpp.ClientXMPP):
    """A session that logs in, fetches the roster, sends no presence, and then idles."""

    def __init__(self, jid, password):
        super().__init__(jid, password)
        self.session_ready = asyncio.get_running_loop().create_future()
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", lambda _e: self.settle(False, "authentication failed"))
        self.add_event_handler("connection_failed", lambda e: self.settle(False, "connection failed: %s" % e))
        self.add_event_handler("disconnected", lambda r: self.settle(False, "disconnected: %s" % r))

    def settle(self, ok, detail):
        if not self.session_ready.done():
            self.session_ready.set_result((ok, detail))

    async def on_session_start(self, _event):
        await self.get_roster()
        self.settle(True, str(self.boundjid))


async def open_idle(state, cmd):
    sessions = state.setdefault("idle", [])
    start = len(sessions)
    count = int(cmd["count"])
    batch = 16
    for first in range(start, start + count, batch):
        group = []
        for i in range(first, min(first + batch, start + count)):
            session = IdleSession("%s/idle%d" % (cmd["jid"], i), cmd["password"])
            if cmd.get("ca"):
                session.ca_certs = cmd["ca"]
            direct = bool(cmd.get("direct_tls", False))
            session.enable_direct_tls = direct
            session.enable_starttls = not direct
            session.enable_plaintext = False
            session.connect(cmd["host"], int(cmd["port"]))
            group.append(session)
        for session in group:
            ok, detail = await asyncio.wait_for(session.session_ready, cmd.get("timeout", 60))
            if not ok:
                raise RuntimeError(detail)
        sessions.extend(group)
    return {"opened": len(sessions)}


async def handle(state, cmd):
    op = cmd.get("op")
    peer = state.get("peer")
    if op == "open_idle":
        return await open_idle(state, cmd)
    if op == "close_idle":
        sessions = state.pop("idle", [])
        await asyncio.gather(*(s.disconnect(wait=2.0) for s in sessions))
        return {"closed": len(sessions)}
    if op == "connect":
        peer = Peer(cmd["jid"], cmd["password"], cmd.get("auto_authorize", False))
        state["peer"] = peer
        if cmd.get("ca"):
            peer.ca_certs = cmd["ca"]
        direct = bool(cmd.get("direct_tls", False))
        peer.enable_direct_tls = direct
        peer.enable_starttls = not direct
        peer.enable_plaintext = False
        peer.connect(cmd["host"], int(cmd["port"]))
        ok, detail = await asyncio.wait_for(peer.session_ready, cmd.get("timeout", 20))
        if not ok:
            raise RuntimeError(detail)
        return {"jid": detail}
    if peer is None:
        raise RuntimeError("not connected: send a connect command first")
    if op == "message":
        msg = peer.make_message(mto=cmd["to"], mbody=cmd.get("body"), mtype=cmd.get("type", "chat"),
                                msubject=cmd.get("subject"))
        if cmd.get("id"):
            msg["id"] = cmd["id"]
        if cmd.get("thread"):
            msg["thread"] = cmd["thread"]
        if cmd.get("lang"):
            msg["lang"] = cmd["lang"]
        msg.send()
        return {"id": msg["id"]}
    if op == "presence":
        peer.send_presence(pto=cmd.get("to"), ptype=cmd.get("type"), pshow=cmd.get("show"),
                           pstatus=cmd.get("status"), ppriority=cmd.get("priority"))
        return {}
    if op == "roster":
        await peer.get_roster()
        items = []
        roster = peer.client_roster
        for jid in roster:
            item = roster[jid]
            items.append({"jid": str(jid), "name": item["name"] or None,
                          "subscription": item["subscription"], "groups": list(item["groups"])})
        return {"items": items}
    if op == "raw":
        peer.send_raw(cmd["xml"])
        return {}
    if op == "quiet":
        peer.quiet = True
        peer.received = 0
        return {}
    if op == "send_many":
        body = cmd.get("body", "message")
        for n in range(int(cmd["count"])):
            peer.make_message(mto=cmd["to"], mbody="%s %d" % (body, n), mtype="chat").send()
        return {"sent": int(cmd["count"])}
    if op == "wait_messages":
        target = int(cmd["count"])
        if peer.received < target:
            peer.waiter = (target, asyncio.get_running_loop().create_future())
            await asyncio.wait_for(peer.waiter[1], cmd.get("timeout", 120))
        return {"received": peer.received}
    if op == "disconnect":
        await peer.disconnect(wait=2.0)
        state["stop"] = True
        return {}
    raise RuntimeError("unknown op %r" % op)


async def main():
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    state = {}
    emit({"event": "ready", "slixmpp": slixmpp.__version__})
    while not state.get("stop"):
        line = await reader.readline()
        if not line:
            break
        line = line.strip()
        if not line:
            continue
        tag = None
        try:
            cmd = json.loads(line)
            tag = cmd.get("tag")
            result = await handle(state, cmd)
            result.update({"event": "done", "tag": tag})
            emit(result)
        except Exception as exc:  # reported to the test, which decides
            emit({"event": "failed", "tag": tag, "error": "%s: %s" % (type(exc).__name__, exc)})
    peer = state.get("peer")
    if peer is not None and not state.get("stop"):
        await peer.disconnect(wait=1.0)


if __name__ == "__main__":
    asyncio.run(main())
