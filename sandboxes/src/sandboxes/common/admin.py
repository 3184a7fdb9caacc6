"""Admin endpoints every sandbox server has under `/__sandbox` (no vendor auth, no faults):
read and change fault rates, and a health check the runner waits on."""

from __future__ import annotations

from fastapi import APIRouter, Body, FastAPI
from fastapi.responses import JSONResponse

from sandboxes.common.faults import ADMIN_PREFIX, FaultInjector, FaultMiddleware, FaultRates, FaultResponder


def install(app: FastAPI, injector: FaultInjector, responder: FaultResponder) -> None:
    """Adds the admin routes and the fault middleware to a vendor app."""
    router = APIRouter(prefix=ADMIN_PREFIX)

    @router.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/faults")
    def get_faults() -> dict:
        return {"rates": injector.rates.as_dict(), "counts": dict(injector.counts)}

    @router.put("/faults")
    def put_faults(body: dict = Body(...)) -> JSONResponse:
        seed = body.pop("seed", None)
        try:
            rates = FaultRates.from_dict({k: float(v) for k, v in body.items()})
        except (TypeError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        injector.set(rates, seed=seed)
        return JSONResponse({"rates": rates.as_dict()})

    app.include_router(router)
    app.add_middleware(FaultMiddleware, injector=injector, responder=responder)
