"""Perth's tag queries for the tree-sitter languages (definitions, calls, imports, inheritance).

Capture names: ``@def.<kind>`` with ``@name`` (and ``@receiver`` for a Go method's type) for a
definition; ``@scope`` with ``@name`` for a container that is not itself a definition (a Rust
``impl``); ``@call`` with ``@name`` (and ``@qualifier``, the receiver of
``x.name()``); ``@import`` with ``@path``; ``@require``/``@source`` with ``@fn``
and ``@path`` for a call that loads another file; ``@inherit`` with ``@child`` and ``@base``.
"""

from __future__ import annotations

_JS_COMMON = """
(function_declaration name: (identifier) @name) @def.function
(method_definition name: (property_identifier) @name) @def.function
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)]) @def.function
(call_expression function: (identifier) @name) @call
(call_expression function: (member_expression object: (_) @qualifier property: (property_identifier) @name)) @call
(new_expression constructor: (identifier) @name) @call
(import_statement source: (string) @path) @import
(call_expression function: (identifier) @fn arguments: (arguments (string) @path)) @require
"""

JAVASCRIPT = _JS_COMMON + """
(generator_function_declaration name: (identifier) @name) @def.function
(class_declaration name: (identifier) @name) @def.class
(class_declaration name: (identifier) @child (class_heritage (identifier) @base)) @inherit
"""

TYPESCRIPT = _JS_COMMON + """
(class_declaration name: (type_identifier) @name) @def.class
(abstract_class_declaration name: (type_identifier) @name) @def.class
(interface_declaration name: (type_identifier) @name) @def.interface
(type_alias_declaration name: (type_identifier) @name) @def.type
(enum_declaration name: (identifier) @name) @def.type
(class_declaration name: (type_identifier) @child (class_heritage (extends_clause value: (identifier) @base))) @inherit
(class_declaration name: (type_identifier) @child
  (class_heritage (implements_clause (type_identifier) @base))) @inherit
"""

GO = """
(function_declaration name: (identifier) @name) @def.function
(method_declaration
  receiver: (parameter_list (parameter_declaration
    type: [(type_identifier) @receiver (pointer_type (type_identifier) @receiver)]))
  name: (field_identifier) @name) @def.method
(type_spec name: (type_identifier) @name type: (struct_type)) @def.class
(type_spec name: (type_identifier) @name type: (interface_type)) @def.interface
(call_expression function: (identifier) @name) @call
(call_expression function: (selector_expression operand: (_) @qualifier field: (field_identifier) @name)) @call
(import_spec path: (interpreted_string_literal) @path) @import
"""

RUST = """
(function_item name: (identifier) @name) @def.function
(function_signature_item name: (identifier) @name) @def.function
(struct_item name: (type_identifier) @name) @def.class
(enum_item name: (type_identifier) @name) @def.type
(trait_item name: (type_identifier) @name) @def.interface
(impl_item type: (type_identifier) @name) @scope
(impl_item trait: (type_identifier) @base type: (type_identifier) @child) @inherit
(call_expression function: (identifier) @name) @call
(call_expression function: (field_expression value: (_) @qualifier field: (field_identifier) @name)) @call
(call_expression function: (scoped_identifier path: (_) @qualifier name: (identifier) @name)) @call
(use_declaration argument: (_) @path) @import
"""

JAVA = """
(class_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.type
(method_declaration name: (identifier) @name) @def.function
(constructor_declaration name: (identifier) @name) @def.function
(class_declaration name: (identifier) @child superclass: (superclass (type_identifier) @base)) @inherit
(class_declaration name: (identifier) @child
  interfaces: (super_interfaces (type_list (type_identifier) @base))) @inherit
(method_invocation !object name: (identifier) @name) @call
(method_invocation object: (_) @qualifier name: (identifier) @name) @call
(object_creation_expression type: (type_identifier) @name) @call
(import_declaration (scoped_identifier) @path) @import
"""

SHELL = """
(function_definition name: (word) @name) @def.function
(command name: (command_name (word) @name)) @call
(command name: (command_name (word) @fn) argument: (word) @path) @source
"""

#: language -> (grammar module, function returning the language pointer, query)
GRAMMARS: dict[str, tuple[str, str, str]] = {
    "javascript": ("tree_sitter_javascript", "language", JAVASCRIPT),
    "typescript": ("tree_sitter_typescript", "language_typescript", TYPESCRIPT),
    "tsx": ("tree_sitter_typescript", "language_tsx", TYPESCRIPT),
    "go": ("tree_sitter_go", "language", GO),
    "rust": ("tree_sitter_rust", "language", RUST),
    "java": ("tree_sitter_java", "language", JAVA),
    "shell": ("tree_sitter_bash", "language", SHELL),
}
