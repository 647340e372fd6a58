"""Short references from one resource to another."""

from ninja import Schema


class GroupRef(Schema):
    id: int
    slug: str
    name: str


class ChamberRef(Schema):
    id: int
    slug: str
    name: str


class OrganisationRef(Schema):
    id: int
    slug: str
    name: str


class StandardRef(Schema):
    id: int
    slug: str
    title: str


class VersionRef(Schema):
    id: int
    label: str
    status: str
