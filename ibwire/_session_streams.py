"""The session's streams: subscriptions, their sinks, resubscribing after a reconnect or 1101."""

from __future__ import annotations

from collections.abc import Hashable

from ._session_base import SessionBase
from ._session_routes import (
    _cancel_for,
    _stream_key,
)
from ._session_types import (
    Phase,
    StreamSink,
    _Live,
    logger,
)
from .errors import (
    IBWireError,
    LocalProtocolError,
)
from .messages import (
    ErrMsg,
    Message,
)


class StreamsPart(SessionBase):
    """Subscriptions of the session."""

    @property
    def live_subscriptions(self) -> list[Message]:
        """The requests whose streams are open, as they will be re-sent."""
        return [live.request for live in self._live.values() if live.resubscribe]

    def subscription_warnings(self, key: Hashable) -> list[ErrMsg]:
        """Warnings TWS sent about a live subscription (e.g. 10167, delayed data).

        Args:
            key: the subscription's request id.

        Returns:
            The warnings, oldest first.
        """
        live = self._live.get(key)
        return list(live.warnings) if live is not None else []

    def subscribe(
        self,
        request: Message,
        sink: StreamSink,
        now: float,
        *,
        ends: frozenset[type] = frozenset(),
    ) -> Hashable:
        """Send a streaming request whose messages go to ``sink``.

        The stream is re-sent after a reconnect (and after a 1101) unless it is a
        snapshot.  An error for its request id ends it with an
        :class:`~ibwire.errors.ApiError`.

        Args:
            request: the request (its id must be new).
            sink: where its messages go.
            now: the current time.
            ends: message classes that end the stream (e.g. ``TickSnapshotEnd``).

        Returns:
            The stream's key (its request id, or a name for id-less streams).

        Raises:
            LocalProtocolError: a stream with the same key is already open.
        """
        key = _stream_key(request)
        existing = self._live.get(key)
        if existing is not None and existing.sink is not None:
            raise LocalProtocolError(f"a subscription with key {key!r} is already open")
        self.submit(request, now)
        live = self._live.get(key)
        if live is None:
            live = self._live[key] = _Live(request, resubscribe=False)
        live.sink = sink
        live.ends = ends
        return key

    def unsubscribe(self, key: Hashable, now: float, sink: StreamSink | None = None) -> None:
        """Cancel a stream: send its cancel (when connected) and end its sink.

        Args:
            key: what :meth:`subscribe` returned.
            now: the current time.
            sink: the subscription being cancelled; when given, a stream that
                another sink opened since under the same key (an id-less
                stream, such as account updates) is left alone.
        """
        live = self._live.get(key)
        if live is None or (sink is not None and live.sink is not sink):
            return
        del self._live[key]
        if self._phase is Phase.READY:
            for message in self._closing_messages(live.request):
                self._submit(message, now, track=False)
        if live.sink is not None:
            live.sink.end(None)

    def _end_live(self, key: Hashable, error: BaseException | None) -> None:
        live = self._live.pop(key, None)
        if live is not None and live.sink is not None:
            live.sink.end(error)

    def _end_streams(self, error: BaseException | None, *, keep_resubscribable: bool) -> None:
        for key, live in list(self._live.items()):
            if keep_resubscribable and live.resubscribe:
                continue
            del self._live[key]
            if live.sink is not None:
                live.sink.end(error)

    def _resubscribe_in_place(self, now: float) -> None:
        # 1101: TWS is back but dropped our market data.  Re-sending the same id
        # while TWS may still hold it risks "duplicate ticker id", so cancel first.
        for key, live in list(self._live.items()):
            if not live.resubscribe:
                continue
            cancel = _cancel_for(live.request)
            if cancel is not None:
                self._submit(cancel, now, track=False)
            self._resubscribe(key, live.request, now)

    def _resubscribe(self, key: Hashable, request: Message, now: float) -> bool:
        """Send a stream's request again; whether it went to the pacer.

        A request the connection cannot carry any more (a reconnect to an older
        server, a budget already spent) ends its stream with that error; the
        other streams are still re-sent.
        """
        try:
            self._submit(request, now, track=False)
        except IBWireError as error:
            logger.warning("could not subscribe again to %r: %s", request, error)
            self._end_live(key, error)
            return False
        return True
