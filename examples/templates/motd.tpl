
  {{ host }} — {{ environment }}
  Managed by Bosun ({{ deployment }}). Changes made by hand will be reverted.
  Contact: {{ contact }}

