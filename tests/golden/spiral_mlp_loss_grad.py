def grad_loss(params, X, targets):
    hidden = np.tanh(X @ params['W1'] + params['b1'])
    t1 = params['W2']
    scores = hidden @ t1 + params['b2']
    top = np.max(scores, axis=1, keepdims=True)
    t2 = np.exp(scores - top)
    t3 = np.sum(t2, axis=1, keepdims=True)
    # reverse sweep
    # return -np.sum((scores - log_norm) * targets) / X.shape[0]
    dt4 = -(1.0 / X.shape[0]) * targets
    dscores = dt4
    dlog_norm = (-dt4).sum(axis=1, keepdims=True)
    # log_norm = top + np.log(np.sum(np.exp(scores - top), axis=1, keepdims=True))
    dtop = dlog_norm
    dt5 = dlog_norm / t3 * t2
    dscores = dscores + dt5
    dtop = dtop + (-dt5).sum(axis=1, keepdims=True)
    # top = np.max(scores, axis=1, keepdims=True)
    dscores = dscores + dtop * _extremum_weights(scores, top, 1, True)
    # scores = hidden @ params["W2"] + params["b2"]
    dparams = add_at(0.0, params, 'b2', dscores.sum(axis=0))
    dparams = add_at(dparams, params, 'W2', hidden.T @ dscores)
    # hidden = np.tanh(X @ params["W1"] + params["b1"])
    dt6 = dscores @ t1.T * (1.0 - hidden * hidden)
    dparams = add_at(dparams, params, 'b1', dt6.sum(axis=0))
    dparams = add_at(dparams, params, 'W1', X.T @ dt6)
    return dparams
