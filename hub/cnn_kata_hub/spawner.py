"""Each student's server: a container of the kata's image, started by DockerSpawner.

DockerSpawner does the work; this subclass only makes its failures readable. A missing image
or an engine error becomes a `SpawnFailure`, and `start` waits until the server accepts
connections or its container stops, so that a server killed for memory while starting is
reported at once, with the reason, rather than as a timeout half a minute later. For that the
container must outlive its process (no auto_remove), so a stopped one is removed here instead.
"""

import asyncio
import time

import docker.errors
from dockerspawner import DockerSpawner

from cnn_kata_hub import failures


class KataDockerSpawner(DockerSpawner):
    """DockerSpawner whose start-up failures tell the student what happened and the admin why."""

    async def start(self):
        try:
            ip, port = await super().start()
        except docker.errors.ImageNotFound:
            raise failures.image_missing(self.image) from None
        except docker.errors.NotFound as error:
            # pull_policy "never" re-raises inspect_image's NotFound for a missing image
            if "image" in str(error).lower():
                raise failures.image_missing(self.image) from None
            raise failures.engine_refused(str(error)) from None
        except docker.errors.APIError as error:
            raise failures.engine_refused(str(error)) from None
        await self._serving_or_stopped(ip, port)
        return ip, port

    async def poll(self):
        status = await super().poll()
        if status is not None:
            # Docker does not remove it by itself (auto_remove is off, so that a failed start can
            # be read): a server that stopped on its own goes here, as a stopped one does.
            await self._remove_stopped()
        return status

    async def _remove_stopped(self):
        if self.remove and self.object_id:
            await self.remove_object()
            self.object_id = ""

    async def _serving_or_stopped(self, ip, port):
        """Return once the server accepts connections; raise if its container stops first."""
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                info = await self.docker("inspect_container", self.container_id)
            except docker.errors.NotFound:
                info = {"State": {"Running": False, "Error": "the container is gone"}, "HostConfig": {}}
            state = info["State"]
            if not state.get("Running"):
                try:
                    logs = await self.docker("logs", self.container_id, tail=40)
                except docker.errors.NotFound:
                    logs = b""
                failure = failures.stopped_while_starting(
                    state, logs.decode("utf-8", "replace") if isinstance(logs, bytes) else str(logs),
                    info["HostConfig"].get("Memory") or 0)
                self.log.error("cnn-kata: %s's server did not start: %s", self.user.name, failure.reason_for_admin)
                await self._remove_stopped()
                raise failure
            try:
                _, writer = await asyncio.wait_for(asyncio.open_connection(ip, port), timeout=2)
            except (OSError, asyncio.TimeoutError):
                pass
            else:
                writer.close()
                return
            if time.monotonic() > deadline:
                raise failures.never_served(self.start_timeout)
            await asyncio.sleep(0.5)
