"""marshmallow schemas: create / update / read per resource. Unknown fields are rejected."""
