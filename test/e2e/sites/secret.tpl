password = "{{ pw }}"
