"""The FastAPI adapter: routers, middleware, dependencies, the lifespan and how errors become HTTP
answers.

The only package that imports FastAPI, Starlette or uvicorn.
"""
