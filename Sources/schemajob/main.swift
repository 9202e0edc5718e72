import SchemaJobKit
print("schemajob")
