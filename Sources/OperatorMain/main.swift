print("ms2m-operator: being written")
