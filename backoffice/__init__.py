"""The reference back office: working PIM, price engine, inventory, CRM, OMS and loyalty systems.

Each system is a sub-package with its models, a service layer and (for HTTP mode) a REST
app. The gateway's embedded adapters call the service layer in-process; its HTTP adapters
call the same services over REST, so both modes run the same business logic. Systems
share identifiers (SKU, variant id, customer id), never tables: no foreign key crosses
a system's boundary.
"""
